"""Imports every model so SQLAlchemy and Alembic see the whole schema."""
from app.accounts.models import Assignment, Person  # noqa: F401
from app.agencies.models import Agency  # noqa: F401
from app.completions.models import Completion  # noqa: F401
from app.courses.models import Course, CourseAsset, CourseVersion, Module, ModuleRead, Question  # noqa: F401
from app.quizzes.models import QuizAttempt  # noqa: F401
