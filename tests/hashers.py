from django.contrib.auth.hashers import PBKDF2PasswordHasher

from opentemis.accounts.hashers import Argon2idPasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Tests only: same algorithm name, far fewer iterations (a test world makes many users)."""

    iterations = 1_000


class FastArgon2idPasswordHasher(Argon2idPasswordHasher):
    """Tests only: the preferred hasher's algorithm (``argon2``, Argon2id) at the smallest cost
    the algorithm allows (8 KiB, one pass)."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1
