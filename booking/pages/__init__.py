"""The web application's pages, one module per group; each renders the same use cases as the
API (booking.bookings, booking.rooms, booking.accounts) through the templates in
frontend/templates/<group>/."""

from __future__ import annotations

from booking.pages.account import AccountPages, SignInPages
from booking.pages.calendar import CalendarPages
from booking.pages.finder import FinderPages
from booking.pages.my_requests import MyRequestPages
from booking.pages.password_links import PasswordLinkPages
from booking.pages.request_form import RequestFormPages
from booking.pages.visitors import VisitorPages

PAGE_ROUTES = [
    FinderPages,
    VisitorPages,
    CalendarPages,
    RequestFormPages,
    MyRequestPages,
    SignInPages,
    PasswordLinkPages,
    AccountPages,
]
