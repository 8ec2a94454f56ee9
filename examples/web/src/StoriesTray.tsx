import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from './gql/index.ts';

const StoriesQuery = graphql(`
  query StoriesTray { storiesFeed { id mediaUrl caption author { id username } } }
`);

const ViewStory = graphql(`
  mutation ViewStory($storyId: ID!) { viewStory(storyId: $storyId) { id } }
`);

/** The stories of the last day, one bubble per story; opening one tells its author (viewStory). */
export function StoriesTray() {
  const [{ data }] = useQuery({ query: StoriesQuery });
  const [, viewStory] = useMutation(ViewStory);
  const [open, setOpen] = useState<string | null>(null);
  const stories = data?.storiesFeed ?? [];
  if (stories.length === 0) return null;
  const shown = stories.find((s) => s.id === open);
  return (
    <section data-testid="stories">
      <ul className="tray">
        {stories.map((story) => (
          <li key={story.id}>
            <button
              type="button"
              data-testid="story"
              onClick={() => {
                setOpen(story.id);
                void viewStory({ storyId: story.id });
              }}
            >
              {story.author.username}
            </button>
          </li>
        ))}
      </ul>
      {shown && (
        <figure data-testid="story-open">
          <img src={shown.mediaUrl} alt={shown.caption ?? `A story by ${shown.author.username}`} />
          {shown.caption && <figcaption>{shown.caption}</figcaption>}
          <button type="button" onClick={() => setOpen(null)}>Close</button>
        </figure>
      )}
    </section>
  );
}
