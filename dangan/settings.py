"""The one settings object, read from DANGAN_* environment variables; built once and passed in."""

from __future__ import annotations

import os
import string
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dangan"


class OcrEngineKind(StrEnum):
    RAPIDOCR = "rapidocr"
    TESSERACT = "tesseract"


class Orientation(StrEnum):
    AUTO = "auto"  # full orientation check only where the page looks turned
    ALWAYS = "always"  # full check on every page (slow)
    NEVER = "never"


class OcrSettings(BaseModel):
    """DANGAN_OCR__*: which engine reads the pages and how."""

    engine: OcrEngineKind = OcrEngineKind.RAPIDOCR
    languages: str = "chi_sim+eng"  # Tesseract language string
    dpi: int = Field(300, ge=72, le=600)  # rasterisation of scanned PDF pages
    workers: int = Field(0, ge=0)  # 0: one per core
    orientation: Orientation = Orientation.AUTO
    deskew: bool = True
    min_confidence: float = Field(0.6, ge=0, le=1)  # below: page marked low quality
    text_layer_min_chars: int = 20  # a PDF text layer shorter than this is OCR'd instead


class IntakeSettings(BaseModel):
    """DANGAN_INTAKE__*: how files are taken from the inbox and what is refused."""

    stable_seconds: float = Field(5.0, ge=0)  # size and mtime unchanged this long before a file is taken
    polling: bool = False  # poll instead of inotify (SMB/NFS shares)
    poll_interval: float = Field(5.0, gt=0)
    keep_processed_days: int = Field(0, ge=0)  # 0: delete from the inbox once committed
    max_pages: int = Field(2000, ge=1)  # a file with more pages is quarantined
    max_file_mb: int = Field(2048, ge=1)
    max_page_pixels: int = Field(200_000_000, ge=1_000_000)  # per rasterised page or image frame
    max_tiff_frames: int = Field(2000, ge=1)


class ObjectStoreKind(StrEnum):
    LOCAL = "local"


class ObjectSettings(BaseModel):
    """DANGAN_OBJECTS__*: where originals and dossier objects are kept."""

    kind: ObjectStoreKind = ObjectStoreKind.LOCAL
    path: Path | None = None  # local folder; default DANGAN_HOME/objects


class SearchKind(StrEnum):
    TANTIVY = "tantivy"  # embedded, in DANGAN_HOME
    OPENSEARCH = "opensearch"
    ELASTICSEARCH = "elasticsearch"


class SearchSettings(BaseModel):
    """DANGAN_SEARCH__*: the full-text index of pages."""

    kind: SearchKind = SearchKind.TANTIVY
    path: Path | None = None  # tantivy: default DANGAN_HOME/index
    writer_heap_mb: int = Field(128, ge=16)  # tantivy: memory of the single writer
    url: str = ""  # opensearch / elasticsearch: e.g. https://user:pass@search.example:9200
    index_name: str = "dangan-pages"
    verify_certs: bool = True


class AuditSettings(BaseModel):
    """DANGAN_AUDIT__*: the tamper-evident audit trail (its own SQLite file) and its HMAC key."""

    path: Path | None = None  # default DANGAN_HOME/audit.db
    key_file: Path | None = None  # default DANGAN_HOME/audit.key (0600); keep a copy apart from backups of the trail


class WebSettings(BaseModel):
    """DANGAN_WEB__*: the web UI and API server."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    secure_cookies: bool = False  # true behind HTTPS: cookies only over TLS
    session_hours: float = Field(8.0, gt=0)  # a login lasts this long
    login_max_failures: int = Field(5, ge=1)  # failed logins per user name and address ...
    login_window_seconds: int = Field(900, ge=1)  # ... within this window before logins are refused
    audit_import_seconds: float = Field(5.0, gt=0)  # how often the server takes over write events into the trail


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"  # only for a relay on localhost or a trusted network


class SmtpSettings(BaseModel):
    """DANGAN_SMTP__*: the mail server reports are sent through; empty host means mail is not configured."""

    host: str = ""
    port: int = Field(0, ge=0, le=65535)  # 0: 465 with ssl, 587 with starttls, 25 without
    user: str = ""
    password: SecretStr = SecretStr("")
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    sender: str = ""  # the From address; default the user
    timeout: float = Field(30.0, gt=0)


class ReportSettings(BaseModel):
    """DANGAN_REPORTS__*: the completeness report mailed to managers on a schedule."""

    schedule: str = ""  # "daily HH:MM" or "weekly MON HH:MM" (server local time); empty: not mailed
    recipients: str = ""  # comma-separated addresses
    lang: str = "zh"

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        from search_api.mail import parse_schedule  # the parser lives with the mailer; checked at startup

        if value.strip():
            parse_schedule(value)
        return value.strip()

    @field_validator("lang")
    @classmethod
    def _check_lang(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("lang must be zh or en")
        return value

    @property
    def recipient_list(self) -> tuple[str, ...]:
        return _split(self.recipients)


#: Codes per document type in document archive numbers (`DA-2025-000123-HT-01`).
DOCUMENT_TYPE_CODES = {
    "contract": "HT", "invoice": "FP", "id_copy": "SF", "inspection_sheet": "JC", "other": "QT",
}
#: Codes per dossier type, for a `{category}` field in the dossier pattern (seed 003: year + category + seq).
DOSSIER_CATEGORY_CODES = {"new_car": "XC", "after_sales": "SH", "customer": "KH"}
DOSSIER_PATTERN_FIELDS = frozenset({"prefix", "year", "category", "seq"})
DOCUMENT_PATTERN_FIELDS = frozenset({"dossier", "type_code", "seq"})


def _check_archive_pattern(pattern: str, allowed: frozenset[str], sample: dict[str, object]) -> None:
    """Refuse a pattern that cannot give a safe number with a sequence: at startup, not at filing time."""
    names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    if "seq" not in names:
        raise ValueError(f"archive pattern {pattern!r} must contain {{seq}}")
    if unknown := names - allowed:
        raise ValueError(f"archive pattern {pattern!r}: unknown {sorted(unknown)}, allowed {sorted(allowed)}")
    try:
        rendered = pattern.format(**sample)
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"archive pattern {pattern!r} cannot be formatted: {exc}") from exc
    # Numbers end up in object keys and file names: no path separators, no blanks.
    if any(c.isspace() or c in "/\\" for c in rendered):
        raise ValueError(f"archive pattern {pattern!r} gives {rendered!r}: no spaces or slashes allowed")


class ArchiveSettings(BaseModel):
    """DANGAN_ARCHIVE__*: the rule for archive numbers (档案号) of dossiers and documents.

    Patterns are Python format strings. The dossier pattern may use {prefix}, {year} and {category}
    (`category_codes` per dossier type) and must use {seq}; the document pattern may use {dossier} (the
    dossier's number) and {type_code} (`type_codes` per document type) and must use {seq}. A sequence counts
    separately for every distinct value of its pattern's other fields: per year, per dossier and type.
    """

    dossier_prefix: str = "DA"
    dossier_pattern: str = "{prefix}-{year}-{seq:06d}"
    document_pattern: str = "{dossier}-{type_code}-{seq:02d}"
    type_codes: dict[str, str] = Field(default_factory=lambda: dict(DOCUMENT_TYPE_CODES))
    category_codes: dict[str, str] = Field(default_factory=lambda: dict(DOSSIER_CATEGORY_CODES))

    @field_validator("type_codes")
    @classmethod
    def _merge_type_codes(cls, value: dict[str, str]) -> dict[str, str]:
        return {**DOCUMENT_TYPE_CODES, **value}  # overriding one code must not drop the others

    @field_validator("category_codes")
    @classmethod
    def _merge_category_codes(cls, value: dict[str, str]) -> dict[str, str]:
        return {**DOSSIER_CATEGORY_CODES, **value}

    @model_validator(mode="after")
    def _check_patterns(self) -> ArchiveSettings:
        for category in self.category_codes.values():
            sample: dict[str, object] = {"prefix": self.dossier_prefix, "year": 2025, "category": category}
            sample["seq"] = 1
            _check_archive_pattern(self.dossier_pattern, DOSSIER_PATTERN_FIELDS, sample)
        for code in self.type_codes.values():
            sample = {"dossier": "DA-2025-000001", "type_code": code, "seq": 1}
            _check_archive_pattern(self.document_pattern, DOCUMENT_PATTERN_FIELDS, sample)
        return self


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.replace("，", ",").split(",") if v.strip())


class ClassifySettings(BaseModel):
    """DANGAN_CLASSIFY__*: the rules an archivist edits, and the dealer's own identifiers to ignore."""

    rules_file: Path | None = None  # document-type rules (default: classify/rules.toml)
    dossier_types_file: Path | None = None  # required documents per dossier type (default: classify/dossier_types.toml)
    customer_no_pattern: str = r"KH\d{6,12}"  # a customer number as printed on paper
    # Comma-separated; printed on every contract and invoice, never evidence of a customer.
    dealer_uscc: str = ""
    dealer_phones: str = ""
    dealer_names: str = ""
    dealer_addresses: str = ""

    def dealer(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The dealer's (uscc, phones, names, addresses)."""
        return (_split(self.dealer_uscc), _split(self.dealer_phones), _split(self.dealer_names),
                _split(self.dealer_addresses))


class Settings(BaseSettings):
    """All of dangan's settings. Names are user-facing and documented in the README."""

    model_config = SettingsConfigDict(
        env_prefix="DANGAN_", env_nested_delimiter="__", extra="ignore", env_file=None
    )

    home: Path = Field(default_factory=_default_home)
    inbox: Path | None = None  # default DANGAN_HOME/inbox
    database_url: str = ""  # default sqlite:///DANGAN_HOME/dangan.db
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    objects: ObjectSettings = Field(default_factory=ObjectSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)
    classify: ClassifySettings = Field(default_factory=ClassifySettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)

    @model_validator(mode="after")
    def _fill_paths(self) -> Settings:
        self.home = self.home.expanduser().absolute()
        if self.inbox is None:
            self.inbox = self.home / "inbox"
        self.inbox = self.inbox.expanduser().absolute()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'dangan.db'}"
        if self.objects.path is None:
            self.objects.path = self.home / "objects"
        if self.search.path is None:
            self.search.path = self.home / "index"
        if self.audit.path is None:
            self.audit.path = self.home / "audit.db"
        if self.audit.key_file is None:
            self.audit.key_file = self.home / "audit.key"
        return self

    @property
    def audit_path(self) -> Path:
        return self.audit.path or self.home / "audit.db"

    @property
    def audit_key_file(self) -> Path:
        return self.audit.key_file or self.home / "audit.key"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def processed_dir(self) -> Path:
        return self.home / "processed"

    @property
    def worker_count(self) -> int:
        return self.ocr.workers or max(1, os.cpu_count() or 1)
