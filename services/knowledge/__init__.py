"""The knowledge service: the region's solution catalogue, lessons learned, Kooperationsradar.

The modules here are its pure domain cores (no database, no HTTP): German text analysis
(`analysis`), the full-text read model (`search`), the catalogue model (`catalogue`),
publiccode.yml import and export (`publiccode`) and the Kooperationsradar (`radar`).
"""
