"""The live city map pane (QtWebEngine + Leaflet), see widgets/map/pane.py."""
