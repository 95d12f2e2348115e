"""Qt views of the video wall."""
