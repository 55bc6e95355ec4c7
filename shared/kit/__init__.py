"""The platform kit: what every service is built on, free of the region's vocabulary."""
