/** Example operations GraphiQL opens with in development. */
export const exampleOperations = /* GraphQL */ `# Welcome to Plaza. Run SignUp, copy the token into Headers as
#   { "Authorization": "Bearer <token>" }
# then CreateSection, paste its id into the variables, subscribe in one tab
# (OnPostCreated) and run CreatePost in another.

mutation SignUp {
  signUp(input: { username: "ada", password: "correct horse battery" }) {
    token
    user { id username }
  }
}

mutation CreateSection {
  createSection(input: { name: "General", slug: "general" }) { id slug name }
}

mutation CreatePost($sectionId: ID!) {
  createPost(input: { sectionId: $sectionId, content: "Hello Plaza", links: ["https://example.com"] }) {
    id content createdAt author { username } links { url status }
  }
}

subscription OnPostCreated($sectionId: ID!) {
  postCreated(sectionId: $sectionId) { id content author { username } }
}

query Feed($sectionId: ID!) {
  section(id: $sectionId) {
    name
    posts(first: 20) {
      edges { cursor node { id content author { displayName } links { url status } reactions { emoji count viewerHasReacted } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;
