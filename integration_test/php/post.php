<?php
// A multipart form with two submit buttons: the clicked button's name=value
// (op=publish or op=draft) decides what happens.
require __DIR__ . '/_app.php';

allow_methods('GET', 'HEAD', 'POST');
$values = ['title' => '', 'body' => ''];
$errors = [];
$draft = null;

if (is_post()) {
    check_csrf();
    $values = ['title' => trim((string)($_POST['title'] ?? '')), 'body' => (string)($_POST['body'] ?? '')];
    $attachment = describe_upload($_FILES['attachment'] ?? null);
    switch ($_POST['op'] ?? '') {
        case 'publish':
            if ($values['title'] === '') {
                $errors['title'] = 'A title is required to publish.';
                http_response_code(422);
                break;
            }
            $_SESSION['posts'][] = $values + ['attachment' => $attachment];
            flash('Published: ' . $values['title']);
            redirect_to('/post.php');
        case 'draft':
            $draft = $values + ['attachment' => $attachment];
            break;
        default:
            fail_page(400, 'Bad Request', 'Unknown operation.');
    }
}

// describe_upload returns name, size and SHA-256 of an uploaded file, or null
// when none was chosen.
function describe_upload(?array $file): ?array
{
    if ($file === null || ($file['error'] ?? UPLOAD_ERR_NO_FILE) !== UPLOAD_ERR_OK) {
        return null;
    }
    return [
        'name' => $file['name'],
        'size' => $file['size'],
        'sha256' => hash_file('sha256', $file['tmp_name']),
    ];
}

function attachment_html(?array $a): string
{
    if ($a === null) {
        return '<span class="attachment">no attachment</span>';
    }
    return '<span class="attachment"><span class="attachment-name">' . e($a['name'])
        . '</span> (<span class="attachment-size">' . $a['size'] . '</span> bytes, sha256 <span class="attachment-sha256">'
        . $a['sha256'] . '</span>)</span>';
}

page_start('Post');
?>
<h1>Write a post</h1>
<?php if ($draft !== null): ?>
<p id="draft-status">Draft saved: <?= e($draft['title'] === '' ? '(untitled)' : $draft['title']) ?></p>
<p id="draft-attachment"><?= attachment_html($draft['attachment']) ?></p>
<?php endif ?>
<form method="post" action="/post.php" enctype="multipart/form-data" id="post-form">
<?= csrf_field() ?>
<p><label for="title">Title</label>
<input id="title" name="title" type="text" value="<?= e($values['title']) ?>"<?= invalid($errors, 'title') ?>>
<?= field_error($errors, 'title') ?></p>
<p><label for="body">Body</label>
<textarea id="body" name="body"><?= e($values['body']) ?></textarea></p>
<p><label for="attachment">Attachment</label>
<input id="attachment" name="attachment" type="file"></p>
<button type="submit" name="op" value="publish">Publish</button>
<button type="submit" name="op" value="draft">Save draft</button>
</form>
<?php if (!empty($_SESSION['posts'])): ?>
<ul id="posts">
<?php foreach ($_SESSION['posts'] as $i => $p): ?>
<li id="post-<?= $i + 1 ?>"><strong class="title"><?= e($p['title']) ?></strong> <?= attachment_html($p['attachment']) ?></li>
<?php endforeach ?>
</ul>
<?php endif ?>
<?php
page_end();
