"""The HTML side's shared plumbing: templates, the page language, CSRF for forms, static files
with versioned URLs, dates in words, and error pages. Page controllers live in booking.pages."""
