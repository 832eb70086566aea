"""Imports every model so SQLAlchemy and Alembic see the whole schema."""
from app.accounts.models import Assignment, Invite, LoginFailure, Person  # noqa: F401
from app.agencies.models import Agency, LineageEvent  # noqa: F401
from app.completions.models import Completion  # noqa: F401
from app.courses.models import Course, CourseAsset, CourseVersion, Module, ModuleRead, Question  # noqa: F401
from app.quizzes.models import QuizAttempt, QuizResponse  # noqa: F401
from app.audit.models import AuditEvent  # noqa: F401
from app.coverage.models import CoverageFreeze, InspectionPlan  # noqa: F401
from app.imports.models import ImportUpload  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.training.models import ClassSeat, TrainingClass, TrainingPlan  # noqa: F401
from app.certificates.models import Certificate  # noqa: F401
from app.people import naming  # noqa: F401  (fills person.search_name and sort_name on every write)
