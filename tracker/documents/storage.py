"""Where attachment bytes live, behind one small interface.

Blobs are named by the SHA-256 of their content (content-addressed): the
same file uploaded twice is stored once, a name can never point outside the
store (it is 64 hex digits, checked), and nothing is ever overwritten with
different bytes. The filesystem store lives under ``instance/`` (never in
``static/``, so no web server serves it directly); deployments with several
app servers configure the S3-compatible store (README: Documents).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

KEY = re.compile(r"[0-9a-f]{64}")


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checked(key: str) -> str:
    """A blob name, or ValueError: nothing else reaches a path or an S3 key."""
    if not KEY.fullmatch(key):
        raise ValueError("not a blob key")
    return key


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data``; returns its key (its SHA-256)."""

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> list[str]: ...


class FilesystemStorage:
    """Blobs in ``root/ab/cd/<sha256>``, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = checked(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = key_of(data)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file renamed into place: a reader never sees half a blob.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            path.name for path in self.root.glob("*/*/*") if KEY.fullmatch(path.name)
        )


class S3Storage:
    """Blobs as objects ``<prefix><sha256>`` in an S3-compatible bucket.

    boto3 is an optional dependency (``pip install '.[s3]'``); credentials
    come from boto3's usual sources (environment, shared files, instance role).
    """

    def __init__(
        self, bucket: str, prefix: str = "", client: Any = None, **client_options: Any
    ) -> None:
        if client is None:
            import boto3  # optional: only deployments using S3 install it

            client = boto3.client("s3", **client_options)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _name(self, key: str) -> str:
        return self.prefix + checked(key)

    def put(self, data: bytes) -> str:
        key = key_of(data)
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._name(key),
            Body=data,
            ContentType="application/octet-stream",
        )
        return key

    def get(self, key: str) -> bytes:
        answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        return answer["Body"].read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError:
            return False
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self) -> list[str]:
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if KEY.fullmatch(name):
                    found.append(name)
        return sorted(found)


def storage_from_config(app: Flask) -> Storage:
    """The store the configuration names: ``DOCUMENTS_STORAGE`` = filesystem | s3."""
    config = app.config
    if config["DOCUMENTS_STORAGE"] == "s3":
        options = {
            name: config[setting]
            for name, setting in (
                ("endpoint_url", "DOCUMENTS_S3_ENDPOINT_URL"),
                ("region_name", "DOCUMENTS_S3_REGION"),
            )
            if config.get(setting)
        }
        return S3Storage(
            config["DOCUMENTS_S3_BUCKET"], config["DOCUMENTS_S3_PREFIX"], **options
        )
    return FilesystemStorage(
        Path(config["DOCUMENTS_PATH"] or Path(app.instance_path) / "documents")
    )


def storage() -> Storage:
    """The app's store, built once per configuration (an S3 client is costly)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    signature = (
        config["DOCUMENTS_STORAGE"],
        config["DOCUMENTS_PATH"],
        config.get("DOCUMENTS_S3_BUCKET"),
        config.get("DOCUMENTS_S3_PREFIX"),
        config.get("DOCUMENTS_S3_ENDPOINT_URL"),
    )
    cached = app.extensions.get("documents_storage")
    if cached is None or cached[0] != signature:
        cached = (signature, storage_from_config(app))
        app.extensions["documents_storage"] = cached
    return cached[1]
