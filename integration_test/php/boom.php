<?php
// A form whose POST fails with 500 and a page full of internals, the kind
// of body a gateway must never hand to a script.
require __DIR__ . '/_app.php';

allow_methods('GET', 'HEAD', 'POST');
if (is_post()) {
    check_csrf();
    http_response_code(500);
    page_start('Internal Server Error');
    ?>
<h1>Internal Server Error</h1>
<pre id="stack-trace">LEAKED-STACK-TRACE
PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/app/db.php:12
Stack trace:
#0 /var/www/app/db.php(12): PDO->__construct('mysql:host=db.in...', 'app', 'hunter2')
#1 /var/www/app/boom.php(9): db_connect()
#2 {main}
  thrown in /var/www/app/db.php on line 12
</pre>
<?php
    page_end();
    exit;
}

page_start('Boom');
?>
<h1>Boom</h1>
<form method="post" action="/boom.php" id="boom-form">
<?= csrf_field() ?>
<button type="submit">Explode</button>
</form>
<?php
page_end();
