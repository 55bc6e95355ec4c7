"""The knowledge service: the region's solution catalogue, who uses what, lessons learned,
the contact directory, search and the Kooperationsradar.

Its pure domain cores (no database, no HTTP) are `analysis` (German text analysis),
`search` (the full-text index), `catalogue` and `publiccode` (publiccode.yml in and out)
and `radar` (the Kooperationsradar); the rooms around them are those of every service
(docs/ARCHITECTURE.md, "The knowledge service").
"""
