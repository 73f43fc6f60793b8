"""The only Streamlit-aware code.

Cached resources and shared screen pieces (web), the server's guard, the LAN passphrase.
"""
