<?php
// Notes, behind a login, in front-controller style: index.php lists them,
// index.php?do=save and index.php?do=delete change them.
require __DIR__ . '/_app.php';

require_login();
$notes = $_SESSION['notes'] ?? [];
$errors = [];
$values = ['title' => '', 'body' => ''];

switch ($_GET['do'] ?? '') {
    case 'save':
        allow_methods('POST');
        check_csrf();
        $values = ['title' => trim((string)($_POST['title'] ?? '')), 'body' => trim((string)($_POST['body'] ?? ''))];
        $errors = note_errors($values);
        if (!$errors) {
            $id = ($_SESSION['next_note_id'] ?? 1);
            $_SESSION['next_note_id'] = $id + 1;
            $_SESSION['notes'][] = ['id' => $id] + $values;
            flash('Saved: ' . $values['title']);
            redirect_to('/index.php');
        }
        http_response_code(422);
        break;

    case 'delete':
        allow_methods('POST');
        check_csrf();
        $id = (int)($_POST['id'] ?? 0);
        foreach ($notes as $i => $note) {
            if ($note['id'] === $id) {
                array_splice($_SESSION['notes'], $i, 1);
                flash('Deleted: ' . $note['title']);
                redirect_to('/index.php');
            }
        }
        fail_page(404, 'Not Found', 'No such note.');

    case '':
        allow_methods('GET', 'HEAD');
        break;

    default:
        fail_page(404, 'Not Found', 'Unknown action.');
}

function note_errors(array $values): array
{
    $errors = [];
    if ($values['title'] === '') {
        $errors['title'] = 'Title is required.';
    } elseif (char_count($values['title']) > 100) {
        $errors['title'] = 'Title must be at most 100 characters.';
    }
    if ($values['body'] === '') {
        $errors['body'] = 'Body is required.';
    }
    return $errors;
}

page_start('Notes');
?>
<h1>Notes</h1>
<script nonce="<?= $NONCE ?>">window.demoInline = (window.demoInline||0)+1</script>
<?php if ($errors): ?>
<p id="form-error" class="error" role="alert">The note was not saved.</p>
<?php endif ?>
<form method="post" action="/index.php?do=save" id="note-form">
<?= csrf_field() ?>
<p><label for="title">Title</label>
<input id="title" name="title" type="text" value="<?= e($values['title']) ?>"<?= invalid($errors, 'title') ?>>
<?= field_error($errors, 'title') ?></p>
<p><label for="body">Body</label>
<textarea id="body" name="body"<?= invalid($errors, 'body') ?>><?= e($values['body']) ?></textarea>
<?= field_error($errors, 'body') ?></p>
<button type="submit">Save</button>
</form>
<?php if ($notes): ?>
<ul id="notes">
<?php foreach ($notes as $note): ?>
<li id="note-<?= $note['id'] ?>"><strong class="title"><?= e($note['title']) ?></strong> <span class="body"><?= e($note['body']) ?></span>
<form method="post" action="/index.php?do=delete" onsubmit="return confirm('Delete this note?')">
<?= csrf_field() ?><input type="hidden" name="id" value="<?= $note['id'] ?>">
<button type="submit">Delete</button>
</form></li>
<?php endforeach ?>
</ul>
<?php else: ?>
<p id="empty">No notes yet.</p>
<?php endif ?>
<?php
page_end();
