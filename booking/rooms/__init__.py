"""Buildings and rooms: the catalogue, and which rooms are free when."""
