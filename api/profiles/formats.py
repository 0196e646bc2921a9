"""The profiles/v1 file (docs/formats.md, "profiles/v1"): a salon's themes and its participants'
profiles, exported and imported apart from salon/v1 (which keeps its strict schema).

Strict like salon/v1: unknown fields are refused, every limit below is checked, and a problem
names its JSON path ($.profiles[3].themes[0])."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FORMAT = "profiles/v1"
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Theme = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Link = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300, pattern=r"^https?://\S+$")
]
MAX_KEYWORDS = 20
MAX_THEMES = 100
MAX_LINKS = 5
MAX_FILE_BYTES = 20 * 1024 * 1024
"""The largest profiles/v1 file imported (its images are in it, as Base64)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class ImageV1(_Strict):
    type: Literal["image/png", "image/jpeg"]
    data: Annotated[str, Field(max_length=2_000_000, description="Base64 of the re-encoded file")]


class ProfileFields(_Strict):
    """What a participant writes about itself."""

    description: Annotated[str, Field(max_length=5000)] = ""
    offers: Annotated[str, Field(max_length=2000)] = ""
    needs: Annotated[str, Field(max_length=2000)] = ""
    keywords: Annotated[list[Keyword], Field(max_length=MAX_KEYWORDS)] = Field(
        default_factory=list
    )
    themes: Annotated[list[Theme], Field(max_length=MAX_THEMES)] = Field(default_factory=list)
    links: Annotated[list[Link], Field(max_length=MAX_LINKS)] = Field(default_factory=list)


class ProfileV1(ProfileFields):
    participant: Annotated[str, Field(min_length=1, max_length=64, description="Its salon/v1 id")]
    image: ImageV1 | None = None


class ProfilesV1(_Strict):
    format: Literal["profiles/v1"]
    salon: Annotated[str, Field(max_length=200)] = ""
    themes: Annotated[list[Theme], Field(max_length=MAX_THEMES)] = Field(default_factory=list)
    profiles: Annotated[list[ProfileV1], Field(max_length=10_000)] = Field(default_factory=list)
