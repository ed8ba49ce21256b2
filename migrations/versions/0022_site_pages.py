"""Site pages and the contact form (issue #14, item 2): 運営者情報, 利用規約, アクセシビリティ方針,
はじめての方へ and the introduction of お問い合わせ as Markdown pages that admins edit at
/admin/pages, every saved version kept; messages sent through the contact form.

The default texts are written out here, in plain Japanese. The operator's name in them is the
``SITE_OPERATOR`` setting when the migration runs (``flask db upgrade`` runs it inside the
application), else 「生活支援共創プラットフォーム運営事務局」. The HTML is made by the forum's
sanitising Markdown renderer, as every page save does.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 20:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

DEFAULT_OPERATOR = '生活支援共創プラットフォーム運営事務局'
WRITTEN = datetime(2026, 12, 6, tzinfo=timezone.utc)

ABOUT = """\
このサイトは、厚生労働省が進める「生活支援共創プラットフォーム」の交流の場です。高齢の方の暮らしを支える取組について、自治体の職員、生活支援コーディネーター、NPO、企業、省庁の担当者などが、分野や地域を超えて話し合い、取組事例やイベント、施策を共有します。

## 運営者
{operator}

## このサイトでできること
- **つながる**：交流掲示板で、同じ悩みを持つ人と意見を交わせます。
- **知る**：取組事例、イベント、施策・予算、団体・行政機関のリストを調べられます。
- **うまれる**：地域の課題を投稿して、一緒に取り組む相手を探せます。

## 使い方
はじめての方は、[はじめての方へ](/guide) をご覧ください。

## 関連するページ
- [利用規約](/terms)
- [プライバシーポリシー](/privacy)
- [アクセシビリティ方針](/accessibility)

## お問い合わせ
ご意見やご質問は、[お問い合わせフォーム](/contact) からお送りください。
"""

TERMS = """\
この利用規約は、{operator}（以下「運営者」）が運営するこのサイト（以下「本サイト」）の使い方を決めたものです。会員として登録する方は、この規約とプライバシーポリシーに同意してください。

## 1. 本サイトの目的
本サイトは、高齢の方の生活支援に関わる人が、分野や地域を超えて情報を共有し、話し合い、一緒に取り組むための場です。

## 2. 会員の登録
- 登録には、メールアドレスの確認が必要です。
- 自治体や団体の担当者として投稿するときは、[認証の申請](/settings/verification) をしてください。運営者が確認します。
- 1人で複数のアカウントを作らないでください。
- パスワードは他の人に知られないように管理してください。

## 3. してはいけないこと
- 住民の方など、個人が特定できる情報（氏名、住所、電話番号、病名など）を、本人の同意なく投稿すること
- 人を傷つける、差別する、おどすような投稿
- 宣伝だけを目的にした投稿や、同じ内容のくり返し
- 法律や公の秩序に反すること
- 他の人や団体になりすますこと
- 本サイトの運営をさまたげること

## 4. 投稿の扱い
- 投稿の著作権は、投稿した人にあります。本サイトで表示・検索・配信するために、運営者が投稿を使うことを許可してください。
- この規約に反する投稿は、モデレーター（投稿を確認する担当者）が非表示にしたり削除したりすることがあります。そのときは理由をお知らせします。判断に納得できないときは、[お問い合わせ](/contact) からお知らせください。
- くり返し規約に反するときは、アカウントの利用を止めることがあります。

## 5. 個人情報
個人情報の扱いは、[プライバシーポリシー](/privacy) に書いています。

## 6. 責任の範囲
運営者は、投稿された情報が正しいことを保証しません。大切なことは、元の情報や担当の窓口で確かめてください。

## 7. 規約の変更
この規約を変えるときは、本サイトでお知らせします。大きく変えるときは、ログインしたときに改めて同意をお願いします。

## 8. お問い合わせ
この規約についての質問は、[お問い合わせフォーム](/contact) からお送りください。

2026年12月6日 制定
"""

ACCESSIBILITY = """\
{operator}は、高齢の方や障害のある方を含め、誰もが使いやすいサイトを目指して、日本産業規格 JIS X 8341-3:2016「高齢者・障害者等配慮設計指針－情報通信における機器，ソフトウェア及びサービス－第3部：ウェブコンテンツ」に対応します。

## 方針
本サイトのすべてのページで、JIS X 8341-3:2016 の適合レベル AA に準拠することを目標にします。あわせて、WCAG 2.1 のレベル AA にも対応します。

## 対応状況（準拠の表記）
試験をしたときに、運営者がこの欄を書き直します。

- 規格の番号と改正年：JIS X 8341-3:2016
- 目標とする適合レベル：AA
- 対応度：（例：AA に一部準拠。ウェブアクセシビリティ基盤委員会「JIS X 8341-3:2016 対応度表記ガイドライン」に従って書きます）
- 対象のページ：（例：本サイトのすべてのページ。利用者の投稿の中身は含みません）
- 試験の日：（例：2026年12月1日〜12月10日）
- 試験の方法：（例：ページを選んで人が確認した結果。下の自動チェックの結果もあわせて書きます）
- 結果の一覧：（例：達成基準ごとの結果をここに書くか、その一覧へのリンクを置きます）

## 自動チェックの結果
ソースコードを変えるたびに、CI（自動で動くテスト）で、axe-core による WCAG 2.1 レベル A・AA のチェックを {axe_states} のページ状態で行っています。ページ状態とは、パソコン（幅 1280 px）とスマートフォン（幅 390 px）の表示、ログアウトしているときとログインしているとき、入力エラーを表示しているときなどの組み合わせです。

2026年12月6日の時点で、違反は 0 件です。

自動チェックで見つかるのは、問題の一部だけです。キーボードだけで使えるか、フォーカスの枠が見えるか、色の差が十分か、なども別のテストで確かめています。

## わかっている問題
（例：一部のグラフに文字による説明がありません。2027年3月までに直します。）

## ご意見
使いにくいところがあれば、[お問い合わせフォーム](/contact) からお知らせください。
"""

GUIDE = """\
## このサイトを使う人
- 市町村や都道府県の職員
- 生活支援コーディネーター
- NPO、社会福祉協議会、企業などの団体の方
- 省庁の担当者
- 高齢の方の暮らしの支えに関心のある住民の方

読むだけなら、登録はいりません。

## はじめにすること
1. [新規登録](/register) をします。メールアドレス、表示名、ハンドル名（@で呼びかけるときの名前）、パスワードを入れます。
2. 届いたメールのリンクを開いて、メールアドレスを確かめます。
3. [プロフィール設定](/settings/profile) で、所属や地域、分野を入れます。
4. [全体交流](/b/zentai) や [困りごと相談](/b/komarigoto) で、あいさつや質問を書いてみましょう。

## 認証（自治体・団体の担当者の方）
自治体や団体の担当者として、取組事例・イベント・施策・地域課題を登録するには、認証が必要です。

1. ログインして、[認証の申請](/settings/verification) を開きます。
2. 役割（市町村の職員、団体の職員など）、所属、勤務先のメールアドレスを入れて送ります。
3. 勤務先のメールアドレスに届くリンクを開きます。
4. 運営者が確認して、認証します。結果は通知でお知らせします。

## 投稿するときの約束
- 住民の方の氏名・住所・電話番号・病名など、個人が特定できる情報は書かないでください。
- 登録したばかりの方の最初の投稿は、モデレーター（投稿を確認する担当者）が確認してから公開されます。

## わからないときは
[お問い合わせ](/contact) からご連絡ください。
"""

CONTACT = """\
本サイトについてのご質問、ご意見、不具合のお知らせは、このフォームから{operator}にお送りください。返事は、入力していただいたメールアドレスにお送りします。数日かかることがあります。

住民の方の氏名・住所・電話番号・病名など、個人が特定できる情報は書かないでください。
"""

#: slug, title, text; the order of the admin list
PAGES = [
    ('about', '運営者情報', ABOUT),
    ('terms', '利用規約', TERMS),
    ('accessibility', 'アクセシビリティ方針', ACCESSIBILITY),
    ('guide', 'はじめての方へ', GUIDE),
    ('contact', 'お問い合わせ', CONTACT),
]

#: page states checked by axe-core in the browser tests when this text was written
AXE_STATES = 37


def _operator() -> str:
    try:
        from flask import current_app

        return current_app.config.get('SITE_OPERATOR') or DEFAULT_OPERATOR
    except RuntimeError:  # outside the application
        return DEFAULT_OPERATOR


def upgrade():
    from forum.rendering import RENDERER_VERSION, render_markdown

    pages = op.create_table(
        'site_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body_source', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('renderer_version', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('slug'),
    )
    revisions = op.create_table(
        'site_page_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body_source', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.ForeignKeyConstraint(['page_id'], ['site_pages.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_site_page_revisions_page_id', 'site_page_revisions', ['page_id'])
    op.create_table(
        'contact_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('sender_name', sa.String(length=80), nullable=False),
        sa.Column('sender_email', sa.String(length=254), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['moderation_items.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_contact_messages_item_id', 'contact_messages', ['item_id'])

    operator = _operator()
    rows = []
    for n, (slug, title, text) in enumerate(PAGES, start=1):
        source = text.format(operator=operator, axe_states=AXE_STATES)
        rows.append({'id': n, 'slug': slug, 'title': title, 'body_source': source,
                     'body_html': render_markdown(source), 'renderer_version': RENDERER_VERSION,
                     'version': 1, 'updated_at': WRITTEN, 'updated_by_id': None})
    op.bulk_insert(pages, rows)
    op.bulk_insert(revisions, [
        {'page_id': r['id'], 'version': 1, 'title': r['title'], 'body_source': r['body_source'],
         'note': '初期の文面', 'created_at': WRITTEN, 'author_id': None}
        for r in rows
    ])
    if op.get_bind().dialect.name == 'postgresql':  # ids given above: move the sequence on
        op.execute("SELECT setval('site_pages_id_seq', (SELECT max(id) FROM site_pages))")


def downgrade():
    op.drop_index('ix_contact_messages_item_id', table_name='contact_messages')
    op.drop_table('contact_messages')
    op.drop_index('ix_site_page_revisions_page_id', table_name='site_page_revisions')
    op.drop_table('site_page_revisions')
    op.drop_table('site_pages')
