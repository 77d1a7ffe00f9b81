"""When rooms are busy: the spans a calendar or a requester needs to see."""
