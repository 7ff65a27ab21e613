"""Streamlit-side helpers: widgets, caching keyed by scope, the string catalogue, the session user."""
