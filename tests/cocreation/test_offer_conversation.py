"""Each offer opens a private conversation (issue #16 items 1 and 2): between the offerer and the
problem's author, about the problem, tied to the offer, with the offer's message as its first
message — in the offer's transaction, whichever entry point made the offer."""

from __future__ import annotations

from sqlalchemy import select

from cocreation.models import Offer
from conversations.models import Conversation, ConversationMessage, ConversationParticipant
from core.extensions import db
from tests.cocreation.conftest import MESSAGE
from tests.fixtures.app import PASSWORD


def test_an_offer_opens_a_conversation_with_the_author(client, bearer, world):
    response = client.post(f"/api/v1/challenges/{world.problem.id}/offers",
                           headers=bearer(world.offerer), json={"message": MESSAGE})  # fmt: skip
    assert response.status_code == 201
    offer = db.session.get(Offer, response.get_json()["id"])
    conversation = db.session.scalar(select(Conversation).where(Conversation.offer_id == offer.id))
    assert conversation is not None
    assert conversation.thread_id == world.problem.id
    assert world.problem.title in conversation.subject
    people = set(db.session.scalars(select(ConversationParticipant.user_id).where(
        ConversationParticipant.conversation_id == conversation.id)))  # fmt: skip
    assert people == {world.offerer.id, world.author.id}
    first = db.session.scalars(select(ConversationMessage).where(
        ConversationMessage.conversation_id == conversation.id)).all()  # fmt: skip
    assert [m.author_id for m in first] == [world.offerer.id]
    assert "移動販売車" in first[0].body_source

    # both find it through the conversations API; the other offerer does not
    for user, expected in ((world.author, True), (world.offerer, True),
                           (world.other_offerer, False)):  # fmt: skip
        listed = client.get("/api/v1/conversations", headers=bearer(user)).get_json()
        ids = [c["id"] for c in listed["conversations"]]
        assert (conversation.id in ids) is expected, (user, listed)


def test_the_problem_page_links_each_offer_to_its_conversation(app, client, bearer, world):
    """For the people in the conversation (the author, the offerer); a colleague of the author
    sees the offer but not a link to a conversation they are not in."""
    client.post(f"/api/v1/challenges/{world.problem.id}/offers", headers=bearer(world.offerer),
                json={"message": MESSAGE})  # fmt: skip
    conversation_id = db.session.scalar(select(Conversation.id))
    link = f'href="/messages/{conversation_id}"'
    for user, shown in ((world.author, True), (world.offerer, True), (world.colleague, False)):
        own = app.test_client()  # a browser of their own
        assert (
            own.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        )
        page = own.get(f"/t/{world.problem.id}").get_data(as_text=True)
        found = "この申し出についてのメッセージ" in page
        assert found is shown, (user.id, world.author.id, world.offerer.id, shown, found)
        assert (link in page) is shown


def test_a_refused_offer_opens_nothing(client, bearer, world):
    response = client.post(f"/api/v1/challenges/{world.problem.id}/offers",
                           headers=bearer(world.offerer), json={"message": "短い"})  # fmt: skip
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(Conversation.id)) is None
