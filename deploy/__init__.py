"""Deployment helpers: the local multi-process stack (``python -m deploy.serve_multi``; docs/DEPLOY.md)."""
