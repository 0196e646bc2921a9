"""salon's scheduling core: file formats, CP-SAT solver, bounds, validator, repair.

Pure: depends on pydantic and ortools only (never on the web or storage layers).
"""

from scheduler.errors import (
    Clash,
    FileFormatError,
    InfeasibleError,
    NoScheduleInTimeError,
    Problem,
    SalonError,
)
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon, load_schedule
from scheduler.progress import Progress, SolveOptions

__all__ = [
    "Clash",
    "FileFormatError",
    "InfeasibleError",
    "NoScheduleInTimeError",
    "Problem",
    "Progress",
    "Salon",
    "SalonError",
    "Schedule",
    "SolveOptions",
    "load_salon",
    "load_schedule",
]
