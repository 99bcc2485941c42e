package demo

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const maxTitleLen = 200

func (a *app) showTodos(w http.ResponseWriter, r *http.Request, s *session) {
	a.renderTodos(w, r, s, http.StatusOK, form{})
}

func (a *app) renderTodos(w http.ResponseWriter, r *http.Request, s *session, status int, f form) {
	a.mu.Lock()
	todos := slices.Clone(s.todos)
	a.mu.Unlock()
	a.render(w, r, s, status, "todos", view{Title: "To-dos", Todos: todos, Form: f})
}

// addTodo re-renders the list with 422 for a blank or overlong title.
func (a *app) addTodo(w http.ResponseWriter, r *http.Request, s *session) {
	title := strings.TrimSpace(r.PostForm.Get("title"))
	if message := titleError(title); message != "" {
		a.renderTodos(w, r, s, http.StatusUnprocessableEntity, form{
			Values: map[string]string{"title": r.PostForm.Get("title")},
			Errors: map[string]string{"title": message},
		})
		return
	}
	a.mu.Lock()
	s.todos = append(s.todos, todo{ID: s.nextTodoID, Title: title})
	s.nextTodoID++
	s.flash = "Added: " + title
	a.mu.Unlock()
	redirect(w, "/todos", http.StatusSeeOther)
}

func titleError(title string) string {
	switch {
	case title == "":
		return "Title can't be blank."
	case utf8.RuneCountInString(title) > maxTitleLen:
		return "Title is too long (maximum 200 characters)."
	}
	return ""
}

func (a *app) completeTodo(w http.ResponseWriter, r *http.Request, s *session) {
	a.changeTodo(w, r, s, func(todos []todo, i int) ([]todo, string) {
		todos[i].Done = true
		return todos, "Completed: " + todos[i].Title
	})
}

func (a *app) deleteTodo(w http.ResponseWriter, r *http.Request, s *session) {
	a.changeTodo(w, r, s, func(todos []todo, i int) ([]todo, string) {
		title := todos[i].Title
		return slices.Delete(todos, i, i+1), "Deleted: " + title
	})
}

// changeTodo applies change to the to-do named by the id field, or answers
// 404 when the session has no such to-do.
func (a *app) changeTodo(w http.ResponseWriter, r *http.Request, s *session, change func([]todo, int) ([]todo, string)) {
	id, err := strconv.Atoi(r.PostForm.Get("id"))
	a.mu.Lock()
	i := slices.IndexFunc(s.todos, func(t todo) bool { return t.ID == id })
	if err != nil || i < 0 {
		a.mu.Unlock()
		a.renderError(w, r, s, http.StatusNotFound, "No such to-do.")
		return
	}
	s.todos, s.flash = change(s.todos, i)
	a.mu.Unlock()
	redirect(w, "/todos", http.StatusSeeOther)
}

// clearCompleted deletes every done to-do.
func (a *app) clearCompleted(w http.ResponseWriter, r *http.Request, s *session) {
	a.mu.Lock()
	before := len(s.todos)
	s.todos = slices.DeleteFunc(s.todos, func(t todo) bool { return t.Done })
	s.flash = "Deleted " + strconv.Itoa(before-len(s.todos)) + " completed to-dos."
	a.mu.Unlock()
	redirect(w, "/todos", http.StatusSeeOther)
}
