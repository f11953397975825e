"""Apple Business Manager: server tokens, device sync, Setup Assistant profiles, Automated Device
Enrollment and the Managed Apple Account GetToken."""
