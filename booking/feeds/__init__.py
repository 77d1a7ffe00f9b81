"""Calendar feeds: public ones per room, building and for public events; private ones behind
a secret feed token; and the tokens themselves."""
