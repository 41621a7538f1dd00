"""Languages custom NER accepts, with the names Azure lists in ``global/languages``."""

from __future__ import annotations

from customner import errors

LANGUAGES: dict[str, str] = {
    "af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "as": "Assamese", "az": "Azerbaijani",
    "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali", "br": "Breton", "bs": "Bosnian",
    "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "en-gb": "English (UK)", "en-us": "English (US)", "eo": "Esperanto", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "fy": "Western Frisian",
    "ga": "Irish", "gd": "Scottish Gaelic", "gl": "Galician", "gu": "Gujarati", "ha": "Hausa", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "jv": "Javanese", "ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "kn": "Kannada",
    "ko": "Korean", "ku": "Kurdish (Kurmanji)", "ky": "Kyrgyz", "la": "Latin", "lo": "Lao", "lt": "Lithuanian",
    "lv": "Latvian", "mg": "Malagasy", "mk": "Macedonian", "ml": "Malayalam", "mn": "Mongolian", "mr": "Marathi",
    "ms": "Malay", "my": "Burmese", "ne": "Nepali", "nl": "Dutch", "nb": "Norwegian (Bokmal)", "or": "Odia",
    "pa": "Punjabi", "pl": "Polish", "ps": "Pashto", "pt-br": "Portuguese (Brazil)", "pt-pt": "Portuguese (Portugal)",
    "ro": "Romanian", "ru": "Russian", "sa": "Sanskrit", "sd": "Sindhi", "si": "Sinhala", "sk": "Slovak",
    "sl": "Slovenian", "so": "Somali", "sq": "Albanian", "sr": "Serbian", "su": "Sundanese", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Filipino", "tr": "Turkish",
    "ug": "Uyghur", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "xh": "Xhosa",
    "yi": "Yiddish", "zh-hans": "Chinese (Simplified)", "zh-hant": "Chinese (Traditional)",
}


def check_language(code: str) -> str:
    """Accept a known code in any case, or a region variant of a known base language (``es-mx``)."""
    lowered = code.lower()
    if lowered in LANGUAGES or lowered.split("-")[0] in LANGUAGES or lowered in {"pt", "zh"}:
        return code
    raise errors.InvalidRequest(
        f"The language code '{code}' is not supported.", inner_code="UnsupportedLanguageCode",
        inner_message=f"Invalid language code '{code}'. See global/languages for the supported codes.",
    )
