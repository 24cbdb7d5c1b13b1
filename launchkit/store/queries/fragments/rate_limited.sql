-- fragment: rate_limited: a predicate over a row with status and error_type that is true when the row
--           failed because a provider rate-limited it: HTTP 429, OpenAI's rate_limit_exceeded /
--           RateLimitError, Anthropic's rate_limit_error, Google's RESOURCE_EXHAUSTED, AWS Bedrock's
--           ThrottlingException, LiteLLM's and SDKs' "rate limit" / "too many requests" texts (any case)
(status = 'error' AND (
    lower(error_type) IN ('429', 'resource_exhausted', 'too_many_requests', 'toomanyrequests')
    OR lower(error_type) LIKE '%rate%limit%'
    OR lower(error_type) LIKE '%ratelimit%'
    OR lower(error_type) LIKE '%throttl%'
    OR lower(error_type) LIKE '%too many requests%'
    OR lower(error_type) LIKE '%http 429%'
    OR lower(error_type) LIKE '%status 429%'
))
