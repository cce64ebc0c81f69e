"""Data in and out: streamed CSV/XLSX exports and validated CSV imports."""
