"""Conversation pages: the inbox, a new conversation, a conversation with its reply form,
invite, leave. Views translate HTTP; every rule is in ``conversations.service``. A conversation
that is not the viewer's does not exist for them (404)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.session import current_account
from conversations import queries, service
from conversations.forms import (
    InviteForm,
    LeaveForm,
    MessageForm,
    NewConversationForm,
    split_handles,
)
from conversations.limits import START_SCOPE, conversations_limit, started
from conversations.service import Outcome
from core.extensions import db, limiter
from core.params import db_int
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from directory.models import Organization
from forum import queries as forum_queries

bp = Blueprint("conversations", __name__, url_prefix="/messages")


def _conversation_or_404(conversation_id: int):
    conversation = service.get_for(current_user, conversation_id)
    if conversation is None:
        abort(404)
    return conversation


def _apply(outcome: Outcome, form) -> None:
    for name, messages in outcome.errors.items():
        target = getattr(form, name, None) or getattr(
            form, "recipients" if name == "participants" else "body"
        )
        target.errors = [*target.errors, *messages]
    if outcome.status == "forbidden":
        flash(outcome.text, "error")


@bp.get("/")
@login_required
def inbox():
    rows = queries.inbox(current_user, before_id=request.args.get("before", type=db_int))
    more = len(rows) == queries.INBOX_LIMIT
    return render_template("conversations/inbox.html", rows=rows,
                           next_before=rows[-1].conversation.last_message_id if more else None)  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.shared_limit(conversations_limit, scope=START_SCOPE, key_func=user_or_address,
                      methods=["POST"], deduct_when=started)  # fmt: skip
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def new():
    form = NewConversationForm()
    organization = None
    org_id = request.args.get("organization", type=db_int)
    if org_id:
        organization = db.session.get(Organization, org_id)
        if organization is None or not organization.is_listed:
            abort(404)
    challenge = None
    challenge_id = request.values.get("challenge", type=db_int)
    if challenge_id:
        challenge = forum_queries.get_thread(challenge_id)
        if challenge is None or not service.may_view_thread(current_user, challenge):
            abort(404)
    concerns = []
    if request.method == "GET":
        to = request.args.get("to", "")
        if organization is not None:
            members = service.organisation_handles(organization.id, exclude=current_user.id)
            form.recipients.data = " ".join(members)
            if not members:
                flash(_("この団体には、メッセージを受け取れる会員がまだいません。"), "info")
        elif to:
            form.recipients.data = " ".join(split_handles(to))
        if challenge is not None:
            form.challenge.data = str(challenge.id)
    elif form.validate_on_submit():
        users, unknown = service.users_by_handle(split_handles(form.recipients.data))
        if unknown:
            form.recipients.errors = [
                *form.recipients.errors,
                _("見つからないハンドル名があります：%(names)s", names="、".join(unknown)),
            ]
        else:
            outcome = service.start_conversation(
                starter=current_account(), participants=users, body=form.body.data,
                subject=form.subject.data, challenge=challenge, confirmed=form.confirm.data,
            )  # fmt: skip
            if outcome.saved:
                db.session.commit()
                return redirect(url_for(".conversation", conversation_id=outcome.conversation.id))
            _apply(outcome, form)
            concerns = outcome.concerns
    status = 422 if request.method == "POST" else 200  # reaching here after a POST: not sent
    return render_template("conversations/new.html", form=form, concerns=concerns,
                           organization=organization, challenge=challenge), status  # fmt: skip


@bp.route("/<int:conversation_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def conversation(conversation_id: int):
    convo = _conversation_or_404(conversation_id)
    form = MessageForm()
    concerns = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = service.send_message(conversation=convo, author=current_account(),
                                           body=form.body.data, confirmed=form.confirm.data)  # fmt: skip
            if outcome.saved:
                db.session.commit()
                return redirect(url_for(".conversation", conversation_id=convo.id,
                                        _anchor=f"m{outcome.message.id}"))  # fmt: skip
            _apply(outcome, form)
            concerns = outcome.concerns
        status = 422
    return render_template(
        "conversations/conversation.html", conversation=convo, form=form, concerns=concerns,
        messages=queries.last_messages(convo), people=queries.people(convo),
        invite_form=InviteForm(formdata=None), leave_form=LeaveForm(formdata=None),
    ), status  # fmt: skip


@bp.post("/<int:conversation_id>/read")
@login_required
def read(conversation_id: int):
    """The page's script says how far the reader has read (a GET never writes)."""
    convo = _conversation_or_404(conversation_id)
    data = request.get_json(silent=True) or {}
    up_to = data.get("up_to") if isinstance(data, dict) else None
    up_to = up_to if isinstance(up_to, int) and 0 < up_to < 2**63 else 0
    service.mark_read(conversation=convo, user=current_account(), up_to=up_to)
    db.session.commit()
    return jsonify(ok=True)


@bp.post("/<int:conversation_id>/invite")
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
def invite(conversation_id: int):
    convo = _conversation_or_404(conversation_id)
    form = InviteForm()
    if form.validate_on_submit():
        users, _unknown = service.users_by_handle(split_handles(form.handle.data)[:1])
        if not users:
            flash(_("見つからないハンドル名です：%(name)s", name=form.handle.data), "error")
        else:
            try:
                service.invite(conversation=convo, actor=current_account(), user=users[0])
            except service.Refused as refused:
                flash(refused.message, "error")
            else:
                db.session.commit()
                flash(_("%(name)sさんを招待しました。", name=users[0].display_name), "success")
    else:
        flash(_("ハンドル名を入力してください。"), "error")
    return redirect(url_for(".conversation", conversation_id=convo.id))


@bp.post("/<int:conversation_id>/leave")
@login_required
def leave(conversation_id: int):
    convo = _conversation_or_404(conversation_id)
    if LeaveForm().validate_on_submit():
        service.leave(conversation=convo, user=current_account())
        db.session.commit()
        flash(_("メッセージから退出しました。"), "success")
        return redirect(url_for(".inbox"))
    abort(400)
