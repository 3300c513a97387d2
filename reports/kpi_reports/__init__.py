"""The quarterly KPI reports in the seeds' own form: content from the data, and its DOCX, PDF and XLSX.

``content`` builds the typed report (sections 1-9) from the models; ``view`` lays a report and its narrative
out as printable blocks (``blocks``) that ``docx`` and ``pdf`` print alike; ``xlsx`` writes the annex of the
rows behind it; ``summary`` reads the clock's frozen quarterly and year-end summaries back in Thai.
"""
