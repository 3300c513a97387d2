"""The local LINE emulator (placeholder until the emulator lands)."""


def mount(app):
    """Mount the emulator at /emulator in demo mode."""
