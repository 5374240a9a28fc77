"""One exception hierarchy; each class carries a stable code and a message a clerk understands."""

from __future__ import annotations


class DanganError(Exception):
    """Root of dangan's errors. `code` is stable; `reason_zh`/`reason_en` are for people."""

    code = "error"

    def __init__(self, reason_zh: str, reason_en: str, detail: str = "") -> None:
        super().__init__(reason_en if not detail else f"{reason_en} ({detail})")
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        self.detail = detail


class BadInputError(DanganError):
    """The file itself cannot be processed: it goes to quarantine and the batch goes on."""

    code = "bad_input"


class EmptyFileError(BadInputError):
    code = "empty_file"


class UnsupportedFormatError(BadInputError):
    code = "unsupported_format"


class CorruptFileError(BadInputError):
    code = "corrupt_file"


class TruncatedFileError(CorruptFileError):
    """The file ends early (an interrupted scan, copy or download): it must be sent again."""

    code = "truncated_file"


class EncryptedFileError(BadInputError):
    code = "encrypted_file"


class TooLargeError(BadInputError):
    """Decompression bombs, pages too large to rasterise, files beyond the page limit."""

    code = "too_large"


class FileTooLargeError(TooLargeError):
    """More bytes than DANGAN_INTAKE__MAX_FILE_MB allows."""

    code = "file_too_large"


class TooManyPagesError(TooLargeError):
    """More pages than DANGAN_INTAKE__MAX_PAGES, or TIFF frames than DANGAN_INTAKE__MAX_TIFF_FRAMES."""

    code = "too_many_pages"


class ImageTooLargeError(TooLargeError):
    """A page or image beyond DANGAN_INTAKE__MAX_PAGE_PIXELS: a decompression bomb or a wrong page size."""

    code = "image_too_large"


class SourceMissingError(BadInputError):
    """A claimed file vanished from the inbox before its bytes were stored."""

    code = "source_missing"


class BackendUnavailableError(DanganError):
    """A database, store or engine is down: retry later; the file stays where it is."""

    code = "backend_unavailable"


class ConfigError(DanganError):
    """Settings that cannot work; refuse to start."""

    code = "config_error"


def exit_code(error: BaseException) -> int:
    """Map an error to a CLI exit code: 2 bad config, 3 backend down, 1 anything else."""
    if isinstance(error, ConfigError):
        return 2
    if isinstance(error, BackendUnavailableError):
        return 3
    return 1
