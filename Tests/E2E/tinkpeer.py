"""Tink (PyPI `tink`, Google's implementation) as the independent peer for PyBak's encrypted format:
an AesGcmHkdfStreamingKey with the AES256_GCM_HKDF_1MB parameters built around a raw 32-byte key."""
import hashlib
import io

from tink import cleartext_keyset_handle, streaming_aead
from tink.proto import aes_gcm_hkdf_streaming_pb2 as pb
from tink.proto import common_pb2, tink_pb2

streaming_aead.register()

SEGMENT = 1 << 20
HEADER = 40


def primitive(raw_key: bytes):
    key = pb.AesGcmHkdfStreamingKey(
        version=0,
        key_value=raw_key,
        params=pb.AesGcmHkdfStreamingParams(ciphertext_segment_size=SEGMENT, derived_key_size=32, hkdf_hash_type=common_pb2.SHA256),
    )
    keyset = tink_pb2.Keyset(
        primary_key_id=1,
        key=[
            tink_pb2.Keyset.Key(
                key_data=tink_pb2.KeyData(
                    type_url="type.googleapis.com/google.crypto.tink.AesGcmHkdfStreamingKey",
                    value=key.SerializeToString(),
                    key_material_type=tink_pb2.KeyData.SYMMETRIC,
                ),
                status=tink_pb2.ENABLED,
                key_id=1,
                output_prefix_type=tink_pb2.RAW,
            )
        ],
    )
    return cleartext_keyset_handle.from_keyset(keyset).primitive(streaming_aead.StreamingAead)


class _Keep(io.BytesIO):
    def close(self):  # Tink closes the destination when its stream closes; keep the bytes readable
        pass


def encrypt(raw_key: bytes, plaintext: bytes) -> bytes:
    out = _Keep()
    with primitive(raw_key).new_encrypting_stream(out, b"") as stream:
        stream.write(plaintext)
    return out.getvalue()


def decrypt(raw_key: bytes, ciphertext: bytes) -> bytes:
    with primitive(raw_key).new_decrypting_stream(io.BytesIO(ciphertext), b"") as stream:
        return stream.read()


def key_id(raw_key: bytes) -> str:
    """The documented fingerprint (docs/ENCRYPTION.md), computed independently."""
    return "k1-" + hashlib.sha256(b"pybak-key-id-v1" + raw_key).hexdigest()[:16]
