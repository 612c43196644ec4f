"""The exception tree. Messages say what happened and what to do about it."""


class MockInterviewError(Exception):
    """Base class; the CLI and UI print str(error) as one line."""


class ConfigError(MockInterviewError):
    pass


class ScorecardError(MockInterviewError):
    pass


class IngestError(MockInterviewError):
    pass


class IndexMissingError(MockInterviewError):
    pass


class UnknownRoleError(MockInterviewError):
    pass


class AnswerError(MockInterviewError):
    pass


class SessionError(MockInterviewError):
    pass


class LLMError(MockInterviewError):
    """The LLM endpoint failed; callers fall back to the offline engine."""
