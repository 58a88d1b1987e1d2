"""The writing desk: the body editor, pickers and the post form used by the admin.

The editor is django-prose-editor (ProseMirror/Tiptap, built JavaScript shipped in its
wheel). ``static/blog/desk.js`` adds what a blog needs on top: images (upload, drag and
drop, paste, library), polls and embeds from the toolbar, live preview, autosave, the post
lock and the leave warning. Other apps add toolbar tools through :data:`tools` (polls does,
in ``polls/apps.py``), so ``blog`` never imports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from blog.images import images_missing_alt
from blog.models import Category, Image, Page, Post, Tag
from blog.rendering import sanitize_editor_html
from blog.slugs import unique_slug

EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Code": True,
    "CodeBlock": True,
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "Figure": True,
    "Image": True,
    "Caption": True,
    "HTML": True,
    "History": True,
}


@dataclass(frozen=True)
class EditorTool:
    """A toolbar button another app contributes, with the URLs its dialog talks to."""

    key: str
    label: str
    urls: dict


class ToolRegistry:
    def __init__(self):
        self._tools: dict[str, callable] = {}
        self._saved_hooks: list = []

    def register(self, key: str, factory) -> None:
        """``factory()`` returns an :class:`EditorTool` (called per request: URLs resolve late)."""
        self._tools[key] = factory

    def all(self) -> list[EditorTool]:
        return [factory() for factory in self._tools.values()]

    def on_post_saved(self, hook) -> None:
        """``hook(post=…, data=…)`` runs after the desk saved a post (``data``: the form's POST)."""
        if hook not in self._saved_hooks:
            self._saved_hooks.append(hook)

    def post_saved(self, *, post, data) -> None:
        for hook in self._saved_hooks:
            hook(post=post, data=data)


tools = ToolRegistry()


def body_field(**kwargs) -> ProseEditorFormField:
    return ProseEditorFormField(
        config={"extensions": EDITOR_EXTENSIONS},
        widget=AdminProseEditorWidget,
        sanitize=sanitize_editor_html,
        **kwargs,
    )


class CategoryTreeField(forms.ModelMultipleChoiceField):
    """Categories as checkboxes, children indented under their parents."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(queryset=Category.objects.all(), **kwargs)

    def _tree(self):
        categories = list(Category.objects.order_by("name"))
        children: dict = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)
        ordered = []

        def walk(parent_id, depth):
            for category in children.get(parent_id, []):
                ordered.append((category, depth))
                if depth < 10:
                    walk(category.pk, depth + 1)

        walk(None, 0)
        return ordered


class _TreeIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        for category, depth in self.field._tree():
            value, _label = self.choice(category)
            yield value, "\u2003" * depth + category.name


CategoryTreeField.iterator = _TreeIterator


class TagInput(forms.TextInput):
    """A text input with a ``<datalist>`` the desk fills with matching tag names."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "list": f"{(attrs or {}).get('id', name)}-suggestions"}
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', html, attrs["list"])


class TagNamesField(forms.CharField):
    """Comma-separated tag names; unknown names become new tags on save."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", TagInput(attrs={"class": "vTextField bw-tags", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        names, seen = [], set()
        for name in (value or "").split(","):
            name = " ".join(name.split())
            if not name:
                continue
            if len(name) > 100:
                raise ValidationError(
                    _("A tag can have at most 100 characters: %(name)s") % {"name": name[:40]}
                )
            if name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names


def tags_for_names(names: list[str]) -> list[Tag]:
    """Existing tags by name (case-insensitive), new ones created with a German slug."""
    found = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=unique_slug(Tag, name, max_length=120))
        found.append(tag)
    return found


class ImageChooserWidget(forms.Widget):
    """A hidden id, the chosen image's thumbnail and buttons that open the library."""

    def render(self, name, value, attrs=None, renderer=None):
        field_id = (attrs or {}).get("id", f"id_{name}")
        image = Image.objects.filter(pk=value).first() if str(value or "").isdigit() else None
        preview = (
            format_html('<img src="{}" alt="{}" width="240">', image.fallback_url, image.alt_text)
            if image
            else ""
        )
        return format_html(
            '<div class="bw-chooser" data-chooser="{id}">'
            '<input type="hidden" name="{name}" id="{id}" value="{value}">'
            '<div class="bw-chooser-preview">{preview}</div>'
            '<p class="bw-chooser-caption">{caption}</p>'
            '<button type="button" class="button bw-chooser-pick">{pick}</button> '
            '<button type="button" class="button bw-chooser-clear"{hidden}>{clear}</button></div>',
            id=field_id,
            name=name,
            value=image.pk if image else "",
            preview=preview,
            caption=image.alt_text if image else _("No image chosen."),
            pick=_("Choose an image"),
            clear=_("Remove"),
            hidden="" if image else mark_safe(" hidden"),
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None


class PublishAtInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        if timezone.is_aware(value):  # the form field hands over local, naive times
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%dT%H:%M")


PUBLISH_ACTIONS = {"now", "schedule", "draft", "update"}


class PostForm(forms.ModelForm):
    """The post form of the writing desk; the publish panel's buttons choose the state."""

    body = body_field(label=_("body"), required=False)
    slug = forms.SlugField(
        label=_("slug"),
        max_length=250,
        required=False,
        help_text=_("The last part of the address; filled from the title when empty."),
    )
    categories = CategoryTreeField(label=_("categories"), required=False)
    tag_names = TagNamesField(
        label=_("tags"), help_text=_("Separated by commas; new tags are created when you save.")
    )
    updated_at = forms.DateTimeField(
        label=_("updated"),
        required=False,
        widget=PublishAtInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=Post._meta.get_field("updated_at").help_text,
    )
    publish_at = forms.DateTimeField(
        label=_("Schedule for"),
        required=False,
        widget=PublishAtInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    class Meta:
        model = Post
        fields = [
            "title", "slug", "body", "excerpt", "author", "updated_at", "is_sticky", "comments_open",
            "categories", "featured_image", "seo_description",
        ]  # fmt: skip
        widgets = {
            "featured_image": ImageChooserWidget,
            "excerpt": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "seo_description": forms.Textarea(
                attrs={"rows": 2, "class": "vLargeTextField", "maxlength": 300}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
            if self.instance.published_at:
                self.fields["publish_at"].initial = self.instance.published_at
        self.fields["title"].widget.attrs.setdefault("class", "vTextField bw-title")

    def publish_action(self) -> str:
        action = self.data.get("_publish", "")
        return action if action in PUBLISH_ACTIONS else ""

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        title = self.cleaned_data.get("title") or self.data.get("title") or ""
        if not slug:
            slug = unique_slug(Post, title, exclude_pk=self.instance.pk)
        elif Post.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another post already has this address."))
        return slug

    def clean(self):
        cleaned = super().clean()
        action = self.publish_action()
        now = timezone.now()
        instance = self.instance
        status, published_at = instance.status, instance.published_at
        publish_at = cleaned.get("publish_at")
        if action == "now":
            status = Post.Status.PUBLISHED
            if published_at is None or published_at > now:
                published_at = now
        elif action == "schedule":
            if publish_at is None or publish_at <= now:
                self.add_error("publish_at", _("Choose a date and time in the future to schedule the post."))
            else:
                status, published_at = Post.Status.PUBLISHED, publish_at
        elif action == "draft":
            status = Post.Status.DRAFT
        elif publish_at is not None and status == Post.Status.PUBLISHED:
            published_at = publish_at
        if status == Post.Status.PUBLISHED:
            missing = images_missing_alt(cleaned.get("body") or "")
            if missing:
                self.add_error(
                    "body",
                    ngettext(
                        "Before publishing, describe every image for readers who cannot see it: "
                        "%(count)d image has no alternative text.",
                        "Before publishing, describe every image for readers who cannot see it: "
                        "%(count)d images have no alternative text.",
                        len(missing),
                    )
                    % {"count": len(missing)},
                )
        self.new_status, self.new_published_at = status, published_at
        return cleaned

    def save(self, commit=True):
        self.instance.status = self.new_status
        self.instance.published_at = self.new_published_at
        return super().save(commit=commit)

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.tags.set(tags_for_names(self.cleaned_data.get("tag_names") or []))


class PageForm(forms.ModelForm):
    body = body_field(label=_("body"), required=False)

    class Meta:
        model = Page
        fields = ["title", "slug", "body", "is_published", "show_in_footer", "footer_order", "comments_open"]
