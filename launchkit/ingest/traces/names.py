"""One name per model and per provider, for breakdowns and pricing (the raw model name is kept beside it).

Provider names come in many spellings (gen_ai.provider.name / gen_ai.system values, OpenInference
llm.provider, the Vercel provider prefix, a server address); model names carry provider prefixes,
Bedrock region and version parts and date snapshots. These functions give the one name of each.
"""

from __future__ import annotations

import re
from typing import Any

# Provider names (gen_ai.provider.name / gen_ai.system values, OpenInference llm.provider, the
# Vercel provider prefix) -> the provider ids of the genai-prices library, which launchkit uses as
# the one name of a provider. A name not listed is kept (lowercased, before its first '.').
PROVIDERS: dict[str, str] = {
    "openai": "openai",
    "azure": "azure",
    "az": "azure",  # az.ai.inference, az.ai.openai
    "azure_openai": "azure",
    "azure-openai": "azure",
    "azure_ai_inference": "azure",  # Monocle
    "aws_bedrock": "aws",  # Monocle
    "aws_sagemaker": "aws",
    "anthropic": "anthropic",
    "aws": "aws",  # aws.bedrock
    "bedrock": "aws",
    "amazon-bedrock": "aws",
    "gcp": "google",  # gcp.gemini, gcp.vertex_ai, gcp.gen_ai
    "google": "google",  # google.generative-ai, google.vertex (Vercel)
    "gemini": "google",
    "vertex_ai": "google",
    "vertexai": "google",
    "mistral_ai": "mistral",
    "mistralai": "mistral",
    "mistral": "mistral",
    "x_ai": "x-ai",
    "xai": "x-ai",
    "groq": "groq",
    "deepseek": "deepseek",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "together": "together",
    "togetherai": "together",
    "fireworks": "fireworks",
    "openrouter": "openrouter",
    "cerebras": "cerebras",
}
# Where a call went -> its provider, when no provider attribute says it (server.address / url.full).
PROVIDER_HOSTS: tuple[tuple[str, str], ...] = (
    ("api.openai.com", "openai"),
    (".openai.azure.com", "azure"),
    ("api.anthropic.com", "anthropic"),
    ("generativelanguage.googleapis.com", "google"),
    ("aiplatform.googleapis.com", "google"),
    ("bedrock-runtime.", "aws"),
    ("api.mistral.ai", "mistral"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.x.ai", "x-ai"),
    ("api.together.xyz", "together"),
    ("openrouter.ai", "openrouter"),
    ("api.cohere.", "cohere"),
)
# Bedrock model ids: optional cross-region prefix, the vendor, the model, a version suffix.
_BEDROCK = re.compile(
    r"^(?:(?:us|eu|apac|us-gov|ca|jp|au|global|regional)\.)?"
    r"(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|writer|qwen|openai|twelvelabs)\."
    r"(?P<model>.+?)(?::\d+)?$"
)
_BEDROCK_VERSION = re.compile(r"(-\d{8})-v\d+$")  # claude-3-7-sonnet-20250219-v1 -> ...-20250219
_DATE_SUFFIX = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-latest)$")
_OPENAI_SNAPSHOT = re.compile(r"^(gpt-[0-9a-z.\-]+?)-(?:0[1-9]|1[0-2])\d{2}$")  # gpt-4-0613, gpt-3.5-turbo-0125
_GEMINI_VERSION = re.compile(r"^(gemini-.+?)-\d{3}$")  # gemini-1.5-pro-002


def normalise_provider(value: Any) -> str | None:
    """One name per provider ('openai.responses' -> openai, 'aws.bedrock' -> aws, 'gcp.gemini' -> google)."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    if text in PROVIDERS:
        return PROVIDERS[text]
    head = text.split(".", 1)[0]
    return PROVIDERS.get(head, head)


def provider_from_server(value: Any) -> str | None:
    """The provider a server address or URL belongs to, when it is a known API host."""
    if not isinstance(value, str):
        return None
    host = value.strip().lower()
    for pattern, provider in PROVIDER_HOSTS:
        if pattern in host:
            return provider
    return None


def normalise_model(value: Any) -> str | None:
    """One name per model for breakdowns: lowercased, without a provider or path prefix, a Bedrock
    region/vendor prefix and version suffix, or a date/snapshot suffix.

        gpt-4o-2024-08-06 -> gpt-4o          openai/o3 -> o3          models/gemini-2.5-pro -> gemini-2.5-pro
        us.anthropic.claude-3-7-sonnet-20250219-v1:0 -> claude-3-7-sonnet
        claude-3-5-sonnet-v2@20241022 -> claude-3-5-sonnet-v2    mistral-small-latest -> mistral-small

    The name as reported is kept beside it (turns.model_raw) and is what prices are looked up by.
    """
    if value is None:
        return None
    m = str(value).strip().lower()
    if not m:
        return None
    if "/" in m:
        m = m.rstrip("/").rsplit("/", 1)[-1]
    b = _BEDROCK.match(m)
    if b:
        m = _BEDROCK_VERSION.sub(r"\1", b.group("model"))
    m = _DATE_SUFFIX.sub("", m)
    for pattern in (_OPENAI_SNAPSHOT, _GEMINI_VERSION):
        hit = pattern.match(m)
        if hit:
            m = hit.group(1)
    return m or None
