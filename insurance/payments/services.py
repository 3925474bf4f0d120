"""Write side of payments: create, hand over to the gateway, take its notices.

Only the gateway's server-to-server notice (IPN, ``payment_ipn_handle``)
marks a payment paid, and it does so once: the payment row is locked and
moved out of its open state by a conditional UPDATE, so the same notice
twice, or two at once, credits the registry once. The browser's return
(``payment_return_record``) is logged and shown, never trusted: anyone can
type a URL, and a return can arrive before the notice.
"""

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notices import notice_to_owner
from vssid_portal.ratelimit import rate_limit

from ..formatting import group_digits
from ..models import HealthInsuranceCard, ParticipationPeriod, Person
from ..selectors import card_for_person, person_for_user
from . import providers
from .models import OPEN_STATUSES, Payment, PaymentKind, PaymentLine, PaymentNotice
from .plans import Plan, holding_payment, household_plan, voluntary_plan

logger = logging.getLogger(__name__)

# How the registry names the months a citizen paid for themselves (the
# "employer" columns of a participation period).
VOLUNTARY_EMPLOYER = ("BHXHTN", "Tham gia BHXH tự nguyện")
HOUSEHOLD_EMPLOYER = ("BHYTHGD", "Tham gia BHYT theo hộ gia đình")
# A raw notice is kept as received, within these bounds (it is logged before
# its signature is known).
NOTICE_MAX_FIELDS = 40
NOTICE_MAX_VALUE = 300


@dataclass(frozen=True)
class PaymentChoice:
    """What the citizen chose on a form (web or API), before it is checked."""

    kind: str
    income: int | None = None
    method: str = ""
    start_month: dt.date | None = None
    years: int | None = None
    months: int | None = None
    members: tuple[str, ...] = field(default_factory=tuple)


def payment_plan(
    *, payer, choice: PaymentChoice, today: dt.date, exclude_payment: int | None = None
) -> Plan:
    """Check ``choice`` against the rules and the registry and price it (no writes)."""
    if choice.kind == PaymentKind.VOLUNTARY_BHXH:
        person = person_for_user(payer)
        if person is None:
            raise ValidationError(_("Không tìm thấy dữ liệu BHXH của tài khoản."))
        return voluntary_plan(
            person=person,
            income=choice.income or 0,
            method=choice.method,
            start_month=choice.start_month or today.replace(day=1),
            years=choice.years,
            months=choice.months,
            today=today,
            exclude_payment=exclude_payment,
        )
    if choice.kind == PaymentKind.HOUSEHOLD_BHYT:
        return household_plan(
            user=payer,
            insurance_numbers=list(choice.members),
            months=choice.months or 0,
            today=today,
            exclude_payment=exclude_payment,
        )
    raise ValidationError({"kind": [_("Loại thanh toán không hợp lệ.")]})


def payment_choice_of(payment: Payment) -> PaymentChoice:
    """The choice a payment was made from, to price it again ("Thanh toán lại")."""
    lines = list(payment.lines.select_related("person").order_by("position"))
    if payment.kind == PaymentKind.VOLUNTARY_BHXH:
        line = lines[0]
        return PaymentChoice(
            kind=payment.kind,
            income=payment.income,
            method=payment.method,
            start_month=line.from_month,
            years=payment.months // 12 if payment.method == Payment.Method.YEARS_AHEAD else None,
            months=payment.months,
        )
    return PaymentChoice(
        kind=payment.kind,
        months=payment.months,
        members=tuple(line.person.insurance_number for line in lines),
    )


def _persons_lock(*, payer, choice: PaymentChoice) -> None:
    """Serialise payments for the same people: two tabs cannot both take a month.

    The registry rows of the people concerned are locked in a fixed order
    (by id) until the transaction ends; the second payment then sees the
    first one's lines.
    """
    numbers = set(choice.members)
    if choice.kind == PaymentKind.VOLUNTARY_BHXH or not numbers:
        numbers.add(payer.username)
    list(
        Person.objects.select_for_update()
        .filter(insurance_number__in=sorted(numbers))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _same(plan: Plan, payment: Payment) -> bool:
    lines = {(line.person_id, line.from_month, line.to_month) for line in payment.lines.all()}
    wanted = {(line.person.pk, line.from_month, line.to_month) for line in plan.lines}
    return payment.amount == plan.amount and lines == wanted


def _open_twin(*, payer, choice: PaymentChoice, today: dt.date) -> tuple[Plan, Payment] | None:
    """The payer's still-open payment for exactly this choice (a double click, a reload)."""
    recent = (
        Payment.objects.filter(
            payer=payer,
            kind=choice.kind,
            status=Payment.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
    if recent is None:
        return None
    try:
        plan = payment_plan(payer=payer, choice=choice, today=today, exclude_payment=recent.pk)
    except ValidationError:
        return None
    return (plan, recent) if _same(plan, recent) else None


def payment_quote(*, payer, choice: PaymentChoice, today: dt.date) -> Plan:
    """The plan of ``choice``; the payer's own open payment for the same does not block it."""
    twin = _open_twin(payer=payer, choice=choice, today=today)
    if twin is not None:
        return twin[0]
    return payment_plan(payer=payer, choice=choice, today=today)


@transaction.atomic
def payment_create(*, payer, choice: PaymentChoice, today: dt.date | None = None) -> Payment:
    """Write a payment for ``choice`` and open it at the gateway (status pending).

    A second "Thanh toán" for the same thing while the first is still open
    (a double click, a reload) returns the first payment rather than a
    second transaction. Raises ``ValidationError`` (per field) when the
    choice breaks a rule or a month is already taken.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    _persons_lock(payer=payer, choice=choice)
    twin = _open_twin(payer=payer, choice=choice, today=today)
    if twin is not None:
        return twin[1]
    plan = payment_plan(payer=payer, choice=choice, today=today)
    rate_limit(
        scope="payments:create",
        key=str(payer.pk),
        limit=settings.PAYMENT_CREATE_LIMIT_PER_HOUR,
        window=3600,
    )
    provider = providers.provider_get()
    payment = Payment.objects.create(
        kind=plan.kind,
        payer=payer,
        method=plan.method,
        months=plan.months,
        income=plan.income,
        support_category=plan.support_category,
        amount=plan.amount,
        provider=provider.name,
    )
    for line in plan.lines:
        line.payment = payment
    PaymentLine.objects.bulk_create(plan.lines)
    payment.status = Payment.Status.PENDING
    payment.started_at = now
    payment.expires_at = now + dt.timedelta(minutes=settings.PAYMENT_EXPIRE_MINUTES)
    payment.save(update_fields=["status", "started_at", "expires_at"])
    logger.info("payment.created code=%s kind=%s", payment.code, payment.kind)
    return payment


def payment_retry(*, payment: Payment, today: dt.date | None = None) -> Payment:
    """ "Thanh toán lại": a new payment for what a failed/cancelled/expired one was for.

    Priced again with today's rules; the months must still be free.
    """
    if not payment.can_retry:
        raise ValidationError(_("Giao dịch này không thể thanh toán lại."), code="not_retryable")
    return payment_create(payer=payment.payer, choice=payment_choice_of(payment), today=today)


def payment_gateway_url(*, payment: Payment, client_ip: str = "") -> str:
    """Where to send the payer's browser for a pending payment."""
    return providers.provider_get(payment.provider).start(payment, client_ip=client_ip)


def payments_expire(
    *, now: dt.datetime | None = None, payment_id: int | None = None, payer=None
) -> int:
    """Mark pending payments whose gateway deadline (plus grace) passed as expired.

    Bulk and idempotent; a success the gateway reports later is still
    credited (see ``payment_ipn_handle``).
    """
    now = now or timezone.now()
    deadline = now - dt.timedelta(minutes=settings.PAYMENT_EXPIRE_GRACE_MINUTES)
    due = Payment.objects.filter(status=Payment.Status.PENDING, expires_at__lt=deadline)
    if payment_id is not None:
        due = due.filter(pk=payment_id)
    if payer is not None:
        due = due.filter(payer=payer)
    count = due.update(status=Payment.Status.EXPIRED, closed_at=now)
    if count:
        logger.info("payment.expired count=%s", count)
    return count


# GATEWAY NOTICES -------------------------------------------------------------
def _bounded(params: Mapping) -> dict[str, str]:
    items = list(params.items())[:NOTICE_MAX_FIELDS]
    return {str(k)[:64]: str(v)[:NOTICE_MAX_VALUE] for k, v in items}


def _notice_record(
    *,
    channel: str,
    provider: str,
    result: providers.GatewayResult,
    code: str = "",
    payment: Payment | None = None,
    remote_addr: str | None = None,
) -> None:
    PaymentNotice.objects.create(
        payment=payment,
        channel=channel,
        provider=provider,
        remote_addr=remote_addr or None,
        params=_bounded(result.params),
        signature_valid=result.signature_valid,
        result=code,
    )


def payment_ipn_handle(*, params: Mapping, remote_addr: str | None = None) -> tuple[str, str]:
    """Take the gateway's notice; answer (RspCode, Message) as VNPay expects.

    97 bad or missing signature, 01 unknown order, 04 amount differs from
    the order's, 02 already settled (a repeat), 00 recorded (success,
    failure or cancellation), 99 an error on our side (the gateway retries).
    Every notice is logged as received, with the answer given.
    """
    provider = providers.provider_get()
    result = provider.parse_ipn(params)
    payment = None
    try:
        answer, payment = _ipn_apply(result)
    except Exception:
        logger.exception("payment.ipn_error reference=%s", result.reference[:32])
        answer = providers.IPN_UNKNOWN_ERROR
    _notice_record(
        channel=PaymentNotice.Channel.IPN,
        provider=provider.name,
        result=result,
        code=answer[0],
        payment=payment,
        remote_addr=remote_addr,
    )
    logger.info(
        "payment.ipn reference=%s rsp=%s signature=%s",
        result.reference[:32],
        answer[0],
        result.signature_valid,
    )
    return answer


@transaction.atomic
def _ipn_apply(
    result: providers.GatewayResult,
) -> tuple[tuple[str, str], Payment | None]:
    if not result.signature_valid:
        return providers.IPN_INVALID_SIGNATURE, None
    payment = Payment.objects.select_for_update().filter(code=result.reference).first()
    if payment is None:
        return providers.IPN_ORDER_NOT_FOUND, None
    if result.amount != payment.amount:
        return providers.IPN_INVALID_AMOUNT, payment
    if payment.status not in OPEN_STATUSES:
        return providers.IPN_ALREADY_CONFIRMED, payment
    now = timezone.now()
    if result.succeeded:
        status = Payment.Status.PAID
    elif result.cancelled:
        status = Payment.Status.CANCELLED
    else:
        status = Payment.Status.FAILED
    changes = {
        "status": status,
        "provider_transaction_no": result.transaction_no[:64],
        "bank_code": result.bank_code[:32],
        "response_code": result.response_code[:8],
    }
    if status == Payment.Status.PAID:
        changes["paid_at"] = result.paid_at or now
    else:
        changes["closed_at"] = now
    # The claim: of any number of notices for this payment, one moves it out
    # of its open state (the row lock above already serialises PostgreSQL;
    # this also holds where SELECT ... FOR UPDATE is a no-op).
    claimed = Payment.objects.filter(pk=payment.pk, status=payment.status).update(**changes)
    if not claimed:
        return providers.IPN_ALREADY_CONFIRMED, payment
    was_expired = payment.status == Payment.Status.EXPIRED
    for name, value in changes.items():
        setattr(payment, name, value)
    if status == Payment.Status.PAID:
        _payment_paid(payment=payment, late=was_expired)
    return providers.IPN_SUCCESS, payment


def _payment_paid(*, payment: Payment, late: bool) -> None:
    """Credit the registry, and tell the payer (inside the notice's transaction)."""
    lines = list(payment.lines.select_related("person").order_by("position"))
    if late and any(
        holding_payment(
            person=line.person,
            kind=payment.kind,
            first=line.from_month,
            last=line.to_month,
            exclude=payment.pk,
        )
        for line in lines
    ):
        # Paid after it expired, and the months were paid again meanwhile:
        # the money is kept for the office to refund, the months once.
        Payment.objects.filter(pk=payment.pk).update(refund_due=True)
        payment.refund_due = True
        logger.warning("payment.refund_due code=%s", payment.code)
    else:
        paid_on = timezone.localdate(payment.paid_at)
        for line in lines:
            if payment.kind == PaymentKind.VOLUNTARY_BHXH:
                _voluntary_credit(line=line)
            else:
                _household_credit(line=line, paid_on=paid_on)
    notice_to_owner(
        user=payment.payer,
        template="payment_paid",
        context={
            # Not "code": in a notice's context that is a one-time code.
            "payment_code": payment.code,
            "amount": group_digits(payment.amount),
            "url": settings.SITE_URL + reverse("payments:detail", args=[payment.code]),
        },
    )
    logger.info("payment.paid code=%s", payment.code)


def _voluntary_credit(*, line: PaymentLine) -> None:
    """The months join the person's BHXH history (through the ORM: the records
    cache starts a new generation on commit)."""
    _period_record(
        line=line,
        insurance_type=ParticipationPeriod.InsuranceType.BHXH,
        employer=VOLUNTARY_EMPLOYER,
        rate=line.rate,
    )


def _period_record(*, line: PaymentLine, insurance_type: str, employer: tuple, rate) -> None:
    """The line's months as a paid participation period (once per start month)."""
    code, name = employer
    ParticipationPeriod.objects.update_or_create(
        person=line.person,
        insurance_type=insurance_type,
        from_month=line.from_month,
        employer_code=code,
        defaults={
            "to_month": line.to_month,
            "employer_name": name,
            "salary": line.base,
            "rate": rate,
            "status": ParticipationPeriod.Status.PAID,
        },
    )


def _household_credit(*, line: PaymentLine, paid_on: dt.date) -> None:
    """Extend (or renew) the member's card and add the BHYT months to the history."""
    assert line.valid_from is not None and line.valid_to is not None
    person = line.person
    card = card_for_person(person=person)
    assert card is not None  # household_plan refuses people without a card
    continuous = (
        card.group == HealthInsuranceCard.Group.GD
        and card.valid_to is not None
        and card.valid_to + dt.timedelta(days=1) >= line.valid_from
    )
    if continuous:
        card.valid_to = max(card.valid_to, line.valid_to)
        card.save(update_fields=["valid_to"])
    else:
        # A new validity, as a household member, on the new-format card
        # number (the mã số, QĐ 1666): the same row when the latest card
        # already is one, else a new row next to the old 15-character card.
        renewed = HealthInsuranceCard.objects.filter(
            card_number=person.insurance_number
        ).first() or HealthInsuranceCard(person=person, card_number=person.insurance_number)
        renewed.group = HealthInsuranceCard.Group.GD
        renewed.benefit_level = 4
        renewed.valid_from = line.valid_from
        renewed.valid_to = line.valid_to
        renewed.kcb_code = card.kcb_code
        renewed.kcb_name = card.kcb_name
        renewed.five_year_date = card.five_year_date
        renewed.issued_on = paid_on
        renewed.issue_place = card.issue_place
        renewed.save()
    _period_record(
        line=line,
        insurance_type=ParticipationPeriod.InsuranceType.BHYT,
        employer=HOUSEHOLD_EMPLOYER,
        rate=line.rate * line.share / 100,
    )


def payment_return_record(*, query: Mapping) -> tuple[providers.GatewayResult, Payment | None]:
    """Read the browser's return: logged when signed, never changes a payment."""
    provider = providers.provider_get()
    result = provider.parse_return(query)
    if not result.signature_valid:
        return result, None
    payment = Payment.objects.filter(code=result.reference).first()
    _notice_record(
        channel=PaymentNotice.Channel.RETURN,
        provider=provider.name,
        result=result,
        payment=payment,
    )
    return result, payment
