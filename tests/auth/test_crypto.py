import pytest

from graph.auth.crypto import InvalidCiphertext, Signer, TokenCipher, derive_key

SECRET = "a-portal-secret-key-for-tests"


def test_cipher_round_trip_hides_plaintext() -> None:
    cipher = TokenCipher(SECRET)
    plaintext = b'{"access_token": "eyJhbGciOi.secret-token"}'
    ciphertext = cipher.encrypt(plaintext)
    assert b"secret-token" not in ciphertext
    assert cipher.decrypt(ciphertext) == plaintext
    assert cipher.encrypt(plaintext) != ciphertext  # fresh IV every time


def test_tampered_ciphertext_is_rejected() -> None:
    cipher = TokenCipher(SECRET)
    ciphertext = bytearray(cipher.encrypt(b"refresh-token-value"))
    ciphertext[40] = ord("A") if ciphertext[40] != ord("A") else ord("B")
    with pytest.raises(InvalidCiphertext):
        cipher.decrypt(bytes(ciphertext))
    with pytest.raises(InvalidCiphertext):
        cipher.decrypt(b"not even base64 !!")


def test_other_secret_key_cannot_decrypt() -> None:
    ciphertext = TokenCipher(SECRET).encrypt(b"value")
    with pytest.raises(InvalidCiphertext):
        TokenCipher("another-secret-key-entirely").decrypt(ciphertext)


def test_keys_are_separate_per_purpose() -> None:
    assert derive_key(SECRET, "store-encryption") != derive_key(SECRET, "cookie-signature")
    assert len(derive_key(SECRET, "x")) == 32
    with pytest.raises(ValueError):
        derive_key("", "x")


def test_signer_detects_tampering() -> None:
    signer = Signer(SECRET)
    signed = signer.sign("session-id-123")
    assert signer.unsign(signed) == "session-id-123"
    assert signer.unsign(signed[:-1] + ("A" if signed[-1] != "A" else "B")) is None
    assert signer.unsign("session-id-124" + signed[len("session-id-123") :]) is None
    assert signer.unsign("no-signature") is None
    assert signer.unsign(".abc") is None
    assert Signer("another-secret-key-entirely").unsign(signed) is None


def test_digest_is_keyed_and_stable() -> None:
    signer = Signer(SECRET)
    assert signer.digest("abc") == signer.digest("abc")
    assert signer.digest("abc") != Signer("another-secret-key-entirely").digest("abc")
    assert "abc" not in signer.digest("abc")
