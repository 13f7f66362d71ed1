"""The paperwork of a placement: forms the portal fills, the landlord confirms and staff download."""
