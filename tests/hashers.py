from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Tests only: same algorithm name, far fewer iterations (a test world makes many users)."""

    iterations = 1_000
