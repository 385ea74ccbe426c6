from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """The preferred hasher: Argon2id with OWASP's minimum parameters.

    OWASP Password Storage Cheat Sheet (Argon2id, the first of its equivalent choices):
    m = 19 MiB (19,456 KiB), t = 2 iterations, p = 1
    (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html).
    Django's own Argon2 defaults (100 MiB, p = 8) cost several times the CPU per sign-in, and
    PBKDF2 at Django's 1,000,000 iterations about 0.25 s: the deadline-morning bottleneck of
    issue 15. See docs/decisions/0011-sign-in.md ("Password hashing") and docs/benchmarks.md
    ("Sign-in (issue 15)") for the measured costs.

    The algorithm name stays Django's ``argon2``: stored hashes carry their own parameters, and
    Django re-hashes at the next sign-in any hash whose parameters differ from these, so raising
    them later needs no migration.
    """

    time_cost = 2
    memory_cost = 19_456  # KiB
    parallelism = 1


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """For one-time initial passwords from bulk provisioning only.

    Provisioning a province hashes tens of thousands of passwords; at Django's default cost that
    takes hours. These passwords are already printed in an xlsx, must be changed at first login,
    and Django re-hashes them with the default hasher then. See docs/decisions/0003.
    """

    algorithm = "pbkdf2_initial"
    iterations = 20_000
