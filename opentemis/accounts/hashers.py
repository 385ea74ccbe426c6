from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """For one-time initial passwords from bulk provisioning only.

    Provisioning a province hashes tens of thousands of passwords; at Django's default cost that
    takes hours. These passwords are already printed in an xlsx, must be changed at first login,
    and Django re-hashes them with the default hasher then. See docs/decisions/0003.
    """

    algorithm = "pbkdf2_initial"
    iterations = 20_000
