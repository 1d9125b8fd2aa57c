"""School workbooks: the Excel template, reading filled workbooks back, imports from the sector's exports."""
