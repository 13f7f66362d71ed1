"""Sites: one deployment serving several Kümmerer projects (DESIGN.md §9).

A site (Duisburg, Essen, Kreis Wesel) has its districts and postcodes, rent-limit and heating
tables, staff, texts and household code prefix. Households, flats, placements, mediation and
prevention cases belong to one site (``models.SiteOwned``); staff see only their sites, enforced
in one place for every query (``scope``).
"""
