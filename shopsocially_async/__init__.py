"""Async client for the ShopSocially (Zinrelo) Loyalty API."""
