"""The partner REST API v1 (/api/v1/…): authentication, throttling, serializers, views."""
