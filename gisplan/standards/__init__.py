"""Standards and rules as data: life circles, park radii, facility categories, walk filter.

GB 50180-2018 life circles (:mod:`~gisplan.standards.life_circles`), GB/T 50563-2010
park service radii (:mod:`~gisplan.standards.parks`), facility categories from
OpenStreetMap tags (:mod:`~gisplan.standards.facilities`) and the walking-network tag
rule (:mod:`~gisplan.standards.walk_filter`). Nothing here measures; the tables are
read by the readers (:mod:`gisplan.sources`) and the analysis (:mod:`gisplan.analysis`),
and a caller can pass their own.
"""
