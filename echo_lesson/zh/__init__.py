"""The Chinese catalog: one module per part of the package (see echo_lesson.i18n)."""
