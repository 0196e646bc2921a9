"""The post-event report for the organiser (issue 13, item 8): meetings planned, held and
missed (by hour, side and hall), the arrival curve, no-show rate, satisfaction and follow-up
rates, the most requested participants; a page, a PDF and the figures as XLSX.

`figures.py` the figures from plain inputs (pure, no database), `service.py` what it reads
(the salon, api.dayof's attendance and arrivals, api.feedback's ratings, the wishes),
`charts.py` the charts (matplotlib: SVG, vector in the PDF too), `documents.py` the PDF and the
XLSX, `pages.py` the organiser's routes.
"""
