"""The school admin web app: server-rendered pages over the same services and selectors as the JSON API."""
