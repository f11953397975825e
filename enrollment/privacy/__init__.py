"""The privacy page of the people who enroll (`/enroll/privacy/`): `views` is its HTTP surface."""
