"""Qt-free core of the city map: tile math, the MBTiles cache, payloads, nearby cameras."""
